import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { createRawSnippet } from 'svelte';
import WindowRows from './WindowRows.svelte';

// A row as a link naming its run, updated in place when its box is given another row.
const row = createRawSnippet((name: () => string) => ({
	render: () => '<a href="#/history/run"></a>',
	setup(link) {
		$effect(() => {
			link.textContent = name();
			link.setAttribute('href', `#/history/${name()}`);
		});
	}
}));

const ROWS = Array.from({ length: 200 }, (_, i) => `run-${i}`);
const links = () =>
	[...document.querySelectorAll<HTMLAnchorElement>('.rows a')].map((a) => a.textContent ?? '');
const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

async function scrollPage(y: number) {
	scrollTo(0, y);
	dispatchEvent(new Event('scroll'));
	await frame();
}

afterEach(() => window.scrollTo(0, 0));

describe('WindowRows', () => {
	it('mounts the rows near the viewport in their order on screen, reusing the boxes of rows scrolled out', async () => {
		await page.viewport(800, 600);
		render(WindowRows<string>, { rows: ROWS, rowHeight: 100, overscan: 0, children: row });
		await expect.poll(links).toEqual(['run-0', 'run-1', 'run-2', 'run-3', 'run-4', 'run-5', 'run-6']);
		const boxes = new Set(document.querySelectorAll('.rows a'));

		// Two rows down: the two boxes that left show the two rows that came in, below the others (Tab and a
		// screen reader follow the document, which stays the order on screen). Seven rows: 600 px and one more.
		await scrollPage(document.querySelector('.rows')!.getBoundingClientRect().top + scrollY + 200);
		await expect.poll(links).toEqual(['run-2', 'run-3', 'run-4', 'run-5', 'run-6', 'run-7', 'run-8']);
		expect(new Set(document.querySelectorAll('.rows a'))).toEqual(boxes);
		const top = (name: string) =>
			page.getByRole('link', { name, exact: true }).element().getBoundingClientRect().top;
		expect(top('run-8') - top('run-2')).toBe(600);
		await expect
			.element(page.getByRole('link', { name: 'run-7', exact: true }))
			.toHaveAttribute('href', '#/history/run-7');

		// A long jump: still the same boxes, in order.
		await scrollPage(document.querySelector('.rows')!.getBoundingClientRect().top + scrollY + 15_000);
		await expect
			.poll(links)
			.toEqual(['run-150', 'run-151', 'run-152', 'run-153', 'run-154', 'run-155', 'run-156']);
		expect(new Set(document.querySelectorAll('.rows a'))).toEqual(boxes);
	});

	it('lets focus go when its row leaves the window, and keeps it while the row stays', async () => {
		await page.viewport(800, 600);
		render(WindowRows<string>, { rows: ROWS, rowHeight: 100, overscan: 0, children: row });
		const list = () => document.querySelector('.rows')!.getBoundingClientRect().top + scrollY;
		await expect.poll(links).toContain('run-3');
		const link = page.getByRole('link', { name: 'run-3', exact: true });
		(link.element() as HTMLElement).focus();

		// Scrolled while run-3 stays in view: it keeps the focus.
		await scrollPage(list() + 150);
		await expect.element(link).toHaveFocus();
		// Scrolled far: its box now shows another run, which must not be the one focused.
		await scrollPage(list() + 5_000);
		await expect.poll(links).toContain('run-53');
		expect(document.activeElement).toBe(document.body);
	});
});
