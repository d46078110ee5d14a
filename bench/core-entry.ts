// What someone who imports the protocol core pays: one client, one job (scripts/weight.js bundles this).
import { createComfyClient } from '../src/lib/comfy';

const client = createComfyClient({ baseUrl: 'http://127.0.0.1:8188' });
const result = await client.generateImage({ workflow: {} });
console.log(result.images.map((image) => image.url));
