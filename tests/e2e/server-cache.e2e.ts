import { expect, test } from '@playwright/test';
import { appBase as base, openTemplate } from './page-helpers';

// The simulator serving the built app (same origin, like ComfyUI --front-end-root): used with no set-up.

test('views share what the server said: object_info is read once across Generate, Dashboard and Queue', async ({
	page
}) => {
	let objectInfo = 0;
	page.on('request', (r) => {
		if (new URL(r.url()).pathname === '/api/object_info') objectInfo++;
	});
	await openTemplate(page, 'demo-solid-color');
	const nav = page.getByRole('navigation', { name: 'Main' });
	for (const view of ['Dashboard', 'Queue', 'Dashboard']) {
		await nav.getByRole('link', { name: view }).click();
		await expect(page.getByRole('heading', { level: 1, name: view })).toBeVisible();
	}
	await page.goto(`${base}#/generate/demo-solid-color`);
	await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
	// The reload above starts a new page: at most one more read.
	expect(objectInfo).toBeLessThanOrEqual(2);
});

test('the queue follows the socket: a queued prompt shows up without waiting for a poll', async ({
	page
}) => {
	await page.goto(`${base}#/queue`);
	const region = page.getByRole('heading', { name: /This ComfyUI/ });
	await expect(region.first()).toBeVisible();
	let queueReads = 0;
	page.on('request', (r) => {
		if (new URL(r.url()).pathname === '/api/queue') queueReads++;
	});
	// Another client queues a prompt on the same server; the socket's status message refreshes the view.
	const workflow = {
		'1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0 } },
		'2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } }
	};
	const answer = await page.request.post(`${base}api/prompt`, { data: { prompt: workflow } });
	expect(answer.ok()).toBe(true);
	await expect.poll(() => queueReads, { timeout: 2_000 }).toBeGreaterThan(0);
});
