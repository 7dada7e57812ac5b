export {
  CONFIG_FILES,
  checkSigningKeys,
  configPath,
  type Env,
  type LoadedSettings,
  loadAwsSettings,
  loadLocalSettings,
  parseConfigText,
  type SecrelSecrets,
  type SecretReader,
  secretsFromEnv,
  splitSecrets,
} from './load.js';
