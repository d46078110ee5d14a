import { expect, test } from '@playwright/test';
import { PORTS } from '../../playwright.config';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { fillAndAddServer } from './page-helpers';

// The app from a plain static host, with one server added here: a simulator at real speed, so prompts queue.
const app = `http://127.0.0.1:${PORTS.staticRoot}/`;

let sim: RunningSimulator | undefined;

test.beforeAll(async () => {
	sim = await startSimulator({ port: 0, quiet: true, cors: '*' });
});

test.afterAll(async () => {
	await sim?.close();
});

/** An SD 1.5 run of 40 steps: seconds at the simulator's real speed. */
function slowPrompt(seed: number) {
	return {
		'4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
		'6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse', clip: ['4', 1] } },
		'7': { class_type: 'CLIPTextEncode', inputs: { text: 'text', clip: ['4', 1] } },
		'5': { class_type: 'EmptyLatentImage', inputs: { width: 256, height: 256, batch_size: 1 } },
		'3': {
			class_type: 'KSampler',
			inputs: {
				seed,
				steps: 40,
				cfg: 8,
				sampler_name: 'euler',
				scheduler: 'normal',
				denoise: 1,
				model: ['4', 0],
				positive: ['6', 0],
				negative: ['7', 0],
				latent_image: ['5', 0]
			}
		},
		'8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
		'9': { class_type: 'PreviewImage', inputs: { images: ['8', 0] } }
	};
}

test('Settings shows a server’s socket, latency, queue length and free VRAM, and when it went away', async ({
	page
}) => {
	await page.goto(`${app}#/settings`);
	await fillAndAddServer(page, { url: sim!.url, name: 'Studio box' });

	const health = page.getByRole('group', { name: 'Health of Studio box' });
	await expect(health).toContainText('Connected', { timeout: 10_000 });
	await expect(health).toContainText(/Latency \d+ ms/);
	await expect(health).toContainText('Queue 0 prompts');
	await expect(health).toContainText(/Free VRAM [\d.]+ GiB/);

	// Another client queues three runs: the socket's status messages bring the new length, no poll needed.
	for (const seed of [1, 2, 3]) {
		const answer = await page.request.post(`${sim!.url}/api/prompt`, { data: { prompt: slowPrompt(seed) } });
		expect(answer.ok()).toBe(true);
	}
	await expect(health).toContainText(/Queue [23] prompts/, { timeout: 5_000 });

	await sim!.close();
	sim = undefined;
	await expect(health).toContainText('Reconnecting…', { timeout: 10_000 });
	// Checked again, it does not answer: the old numbers are not shown as if they were current.
	await page.getByRole('button', { name: 'Check Studio box' }).click();
	await expect(page.getByText(/^Offline/)).toBeVisible({ timeout: 10_000 });
	await expect(health).toContainText('Latency –');
	await expect(health).toContainText('Queue –');
	await expect(health).toContainText('Free VRAM –');
});
