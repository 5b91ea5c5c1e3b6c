// Configuration of the market API.
const path = require('path');

require('dotenv').config({ path: path.join(__dirname, '..', '.env') });

module.exports = {
  port: Number(process.env.PORT || 3000),
  databaseUrl: process.env.DATABASE_URL,
  questdbIlpAddr: process.env.QUESTDB_ILP_ADDR,
  qdrantUrl: process.env.QDRANT_URL,
  redisUrl: process.env.REDIS_URL,
  logLevel: process.env.LOG_LEVEL || 'info',
};
