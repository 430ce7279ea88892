export { ConfigError } from './configError';
export { DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX, DEFAULT_TAIL_RATE_LIMIT, SEED_STREAM_LIMITS } from './defaults';
export { DEFAULT_SETTINGS, loadSettings, NAQ_ENV_VARS, type NaqEnvVar, type NaqLogLevel, type NaqSettings } from './settings';
export {
  contextDirectory,
  contextFile,
  listContexts,
  loadContext,
  natsConfigDirectory,
  selectedContext,
  type ContextList,
  type ContextSummary,
  type NatsContext,
} from './natsContext';
export {
  DEFAULT_CONNECTION_NAME,
  describeConnection,
  jetStreamOptions,
  resolveConnectionSettings,
  toConnectOptions,
  type AuthMethod,
  type ConnectionInput,
  type ConnectionSettings,
  type SettingSource,
  type TlsSettings,
} from './connection';
export { describeNatsError } from './natsErrors';
export { DEFAULT_SERVER_URL, parseServerList, parseServerUrl, redactUrl, type ServerUrl } from './serverUrls';
export { literalSubjectProblem, streamNameProblem, subjectTokenProblem } from './natsNames';
