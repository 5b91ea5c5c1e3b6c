// the shared loader: the one place allowed to load dotenv
require('dotenv').config({ path: require('path').resolve(__dirname, '../../../.env') })
