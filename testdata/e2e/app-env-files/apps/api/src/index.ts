import 'dotenv/config'
export const port = process.env.API_PORT
