// Screenshots of two media runs compared by their sounds (issue 17) at 1280 and 360 px, light and dark:
// `npx tsx scripts/screenshots-compare-media.ts http://127.0.0.1:8188/` against a simulator serving the build.
// Two demo-media runs that differ in their caption each make a video, a sound and an animated picture, so the
// comparison offers all three; the newest run's page is shown compared by "Sounds".
import { forEachLook, launchBrowser, openNewestRun, out } from './screenshot-kit';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';

const browser = await launchBrowser();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
const page = await context.newPage();

for (const caption of ['Waves on the rocks, first take', 'Waves on the rocks, second take']) {
	await page.goto(`${base}#/generate/demo-media`);
	const generate = page.getByRole('button', { name: 'Generate' });
	await generate.waitFor();
	await page.waitForTimeout(300);
	await page.getByRole('textbox', { name: 'Caption' }).fill(caption);
	await generate.click();
	await page.getByRole('list', { name: 'Results' }).locator('audio').first().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1000);
}

const detail = await openNewestRun({ page, base });

await forEachLook({
	page,
	each: async ({ name }) => {
		await page.goto(`${base}${detail}`);
		await page.waitForLoadState('networkidle');
		await page.getByRole('group', { name: 'Compare by' }).getByRole('button', { name: 'Sounds' }).click();
		await page.getByLabel(/^Other run: .*\.flac$/).waitFor();
		await page.getByRole('heading', { name: 'Difference to another run' }).evaluate((el) =>
			// Below the sticky header, and at 360 px the menu bar under it too.
			window.scrollTo(
				0,
				el.getBoundingClientRect().top + window.scrollY - (window.innerWidth < 500 ? 150 : 80)
			)
		);
		await page.waitForTimeout(600);
		await page.screenshot({ path: name('compare-sounds') });
	}
});

await context.close();
await browser.close();
console.log(`Screenshots written to ${out}/`);
