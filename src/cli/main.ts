/**
 * Entry point of the `ssehub` command. Returns the process exit code.
 */
export async function main(_argv: string[]): Promise<number> {
  console.error('ssehub: the hub is not built yet.');
  return 1;
}
