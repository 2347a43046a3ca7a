// Bundles the web UI (web/) into web/dist with esbuild. Run by `npm run build`.
// Until the web UI sources exist this is a no-op, so the build stays green.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../web/src', import.meta.url))) {
  console.log('build-web: no web/src yet, nothing to bundle');
}
