/**
 * Loaded by mocha before any spec (.mocharc.json `require`). The AWS SDK warns once per process
 * that it will need Node.js 22 from 2027; the ops commands show users that warning, but in the
 * spec output it is noise between the dots. (The specs also run on Node.js 22 and 24: .ci/run.)
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
