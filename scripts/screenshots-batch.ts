// Screenshots of the batch and grid builders on the generate form, at 1280 and 360 px, light and dark, and of the
// question asked before more than 100 runs: `npx tsx scripts/screenshots-batch.ts http://127.0.0.1:8188/` against
// a simulator serving the build (`npm run simulator -- --port 8188 --front-end-root build --test-mode`).
// Nothing is queued: the dialog is answered Cancel.
import { forEachViewport, launchBrowser } from './screenshot-kit';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';

const browser = await launchBrowser();
await forEachViewport({
	browser,
	height: 900,
	each: async ({ page, name }) => {
		await page.goto(`${base}#/generate/sd15-txt2img`);
		await page.getByRole('button', { name: 'Generate', exact: true }).waitFor();
		await page.waitForTimeout(800);
		await page.getByText('Batch and grid').click();
		// 2 samplers × 11 CFG values × 5 repeats: past 100, so Queue asks first.
		await page.getByLabel('Batch count').fill('5');
		const x = page.getByRole('group', { name: 'X axis (columns)' });
		await x.getByLabel('Parameter').selectOption({ label: 'Sampler' });
		await x.getByRole('checkbox', { name: 'euler', exact: true }).check();
		await x.getByRole('checkbox', { name: 'euler_ancestral', exact: true }).check();
		const y = page.getByRole('group', { name: 'Y axis (rows)' });
		await y.getByLabel('Parameter').selectOption({ label: 'CFG' });
		await y.getByLabel('To', { exact: true }).fill('12');
		await y.getByLabel('Step', { exact: true }).fill('0.5');
		await page
			.getByRole('group', { name: 'Batch and grid' })
			.evaluate((el) => el.scrollIntoView({ block: 'start' }));
		await page.waitForTimeout(300);
		await page.screenshot({ path: name('batch-builder') });
		await page.getByRole('button', { name: 'Queue 110 runs' }).click();
		const dialog = page.getByRole('dialog', { name: 'Queue 110 runs?' });
		await dialog.waitFor();
		await page.screenshot({ path: name('batch-confirm') });
		await dialog.getByRole('button', { name: 'Cancel' }).click();
	}
});
await browser.close();
