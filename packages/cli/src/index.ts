/**
 * @sn365/cli — the `sn365` command: plan, apply, verify, teardown and discover the Microsoft 365
 * support integration with ServiceNow; run the emulator or a demo against it; write a starter
 * config. Also usable in-process with {@link run}.
 *
 * @packageDocumentation
 */
export { run, sn365, VERSION } from "./Cli.ts"
export {
  type ConfigSource,
  type FlagValues,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
} from "./ConfigLoader.ts"
export {
  Cancelled,
  ConfigError,
  ExitCode,
  type FailureSummary,
  summarizeFailure,
  UsageError,
} from "./Errors.ts"
export { type StarterValues, starterConfig } from "./Init.ts"
export { Io } from "./Io.ts"
export { type JsonCommand, OUTPUT_SCHEMA_VERSION, type OutputDocument } from "./Json.ts"
export { CONFIG_FILE_NAMES, ENV, SETTINGS, type Setting } from "./Settings.ts"
