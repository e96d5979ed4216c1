// Public surface of hook/: runner's git pre-commit hook.
export { type HookInstall, type HookUninstall, installHook, uninstallHook } from './install.js';
export { type FrameworkCheck, frameworkCheck, frameworkRange } from './framework.js';
export { BACKUP_NAME, HOOK_NAME, MARKER, type HookCommand, hookScript, isRunnerHook } from './script.js';
