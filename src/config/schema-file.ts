// Where the config's JSON Schema ships in the package, and how a config names
// it in "$schema": one constant for the package name, so a rename is one edit.

/** The npm package name (package.json "name"; a unit test keeps them equal). */
export const PACKAGE_NAME = 'incremental-runner';

/** The schema's path inside the package (listed in package.json "files"). */
export const SCHEMA_FILE = 'schema/config.schema.json';

/**
 * What a config's "$schema" says: a path relative to the config, into the
 * project's node_modules, where runner is installed as a devDependency.
 * Editors (VS Code) resolve a relative "$schema" against the file itself.
 */
export const SCHEMA_REF = `./node_modules/${PACKAGE_NAME}/${SCHEMA_FILE}`;
