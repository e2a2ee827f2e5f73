import { ensureConsoleBuilt } from '../../infra/tools/console-build.ts';

/** The e2e and infra suites serve or deploy `console/dist`: build it once, before their workers start. */
export default async function setup() {
  await ensureConsoleBuilt(() => {});
}
