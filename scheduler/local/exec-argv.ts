/*
 * Node options that pool workers must not inherit from the parent process:
 *   loader flags        `--import`, `--require`/`-r`, `--loader`, `--experimental-loader`: hooks
 *                       such as tsx. A worker thread gains nothing from them (it loads built
 *                       JavaScript and functions shipped as source) yet loads and runs them; a
 *                       child process keeps them, since it may import a user's `.ts` module.
 *   main-program flags  `--input-type`, `--eval`/`-e`, `--print`/`-p`: they describe the parent's
 *                       own script. A worker inheriting `--input-type=module` (from
 *                       `node --input-type=module -e '...'`) cannot load its entry file at all.
 * Each flag may carry its value after `=` or as the next argument.
 */

export const LOADER_FLAGS: readonly string[] = ['--import', '--require', '-r', '--loader', '--experimental-loader'];
export const MAIN_PROGRAM_FLAGS: readonly string[] = ['--input-type', '--eval', '-e', '--print', '-p'];

/** `parent` without `flags` (and their values), or undefined when it has none of them. */
export function dropNodeFlags(parent: readonly string[], flags: readonly string[]): string[] | undefined {
  const kept: string[] = [];
  let dropped = false;
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i]!;
    const eq = arg.indexOf('=');
    if (!flags.includes(eq < 0 ? arg : arg.slice(0, eq))) {
      kept.push(arg);
      continue;
    }
    dropped = true;
    if (eq < 0) i++; // the value is the next argument
  }
  return dropped ? kept : undefined;
}

/** The Node options a child process of the package starts with: this process's, minus main-program flags. */
export function childExecArgv(): string[] {
  return dropNodeFlags(process.execArgv, MAIN_PROGRAM_FLAGS) ?? [...process.execArgv];
}
