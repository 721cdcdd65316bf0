// `node --import tsx scripts/build-frontend.ts`: the web app's standalone build, cached by its inputs.
import { ensureFrontendBuild } from './lib/frontend-build.ts';

const built = await ensureFrontendBuild();
if (!built) console.log('web app: build is up to date');
