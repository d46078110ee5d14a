import { chromium, expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.js';
import { expectEveryKind } from './media-helpers';
import { appBase as base, control, openTemplate } from './page-helpers';

// The media of a run live in this browser's IndexedDB, not on the server: after the server restarted (its history
// and temp files gone, and here every /view refused as for deleted files) and the browser was closed and opened
// again on the same profile, the run's video, audio, animated WebP and text still show and play.

test('a run with every kind survives a server restart and a browser restart', async () => {
	test.setTimeout(120_000);
	const profile = mkdtempSync(join(tmpdir(), 'deck-media-restart-'));
	const launch = () =>
		chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), args: chromiumArgs });
	try {
		const first = await launch();
		const page = first.pages()[0] ?? (await first.newPage());
		await control(page, { action: 'reset' });
		await openTemplate(page, 'demo-media');
		await page.getByRole('textbox', { name: 'Caption' }).fill('a caption from PrimitiveString');
		await page.getByRole('button', { name: 'Generate' }).click();
		await expectEveryKind(page);

		await control(page, { action: 'restart' });
		await control(page, { action: 'failRoute', path: '/view', status: 404, times: 1000 });
		await first.close();

		const second = await launch();
		const again = second.pages()[0] ?? (await second.newPage());
		let views = 0;
		again.on('request', (r) => {
			if (new URL(r.url()).pathname.endsWith('/view')) views++;
		});
		await again.goto(`${base}#/history`);
		const card = again.getByRole('list', { name: 'Generations' }).getByRole('link', { name: /^Open / });
		await expect(card).toHaveCount(1, { timeout: 15_000 });
		await expect(card).toHaveAccessibleName(/, Video, Animated, Audio, Text, /);
		await card.click();
		await expectEveryKind(again);
		expect(views).toBe(0);
		await control(again, { action: 'reset' });
		await second.close();
	} finally {
		rmSync(profile, { recursive: true, force: true });
	}
});
