import { describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import HistoryNotes from './HistoryNotes.svelte';

describe('HistoryNotes', () => {
	it('saves the edited tags and note, and links each tag to the gallery filtered by it', async () => {
		const onsavetags = vi.fn();
		const onsavenote = vi.fn();
		render(HistoryNotes, { tags: ['sky', 'night & day'], note: 'first try', onsavetags, onsavenote });

		await expect
			.element(page.getByRole('link', { name: 'night & day' }))
			.toHaveAttribute('href', '#/history?tag=night%20%26%20day');
		const tags = page.getByRole('textbox', { name: 'Tags (comma-separated)' });
		await expect.element(tags).toHaveValue('sky, night & day');
		await tags.fill('sky, keeper');
		await page.getByRole('button', { name: 'Save tags' }).click();
		expect(onsavetags).toHaveBeenCalledWith('sky, keeper');

		const note = page.getByRole('textbox', { name: 'Note' });
		await expect.element(note).toHaveValue('first try');
		await note.fill('<b>better</b> with more steps');
		await page.getByRole('button', { name: 'Save note' }).click();
		expect(onsavenote).toHaveBeenCalledWith('<b>better</b> with more steps');
		expect(onsavetags).toHaveBeenCalledTimes(1);
	});

	it('shows no tag list for a run without tags', async () => {
		render(HistoryNotes, { tags: [], note: '', onsavetags: vi.fn(), onsavenote: vi.fn() });
		await expect.element(page.getByRole('button', { name: 'Save tags' })).toBeVisible();
		await expect.element(page.getByRole('list', { name: 'Tags' })).not.toBeInTheDocument();
	});

	it('keeps what is being typed when the run is read again unchanged, and follows a real change', async () => {
		const props = { tags: ['sky'], note: 'first', onsavetags: vi.fn(), onsavenote: vi.fn() };
		const screen = render(HistoryNotes, props);
		const tags = page.getByRole('textbox', { name: 'Tags (comma-separated)' });
		const note = page.getByRole('textbox', { name: 'Note' });
		await tags.fill('sky, half-typed');
		await note.fill('a note not saved yet');

		// The run finished and its images were kept: the page reads it again, same tags and note, new objects.
		await screen.rerender({ ...props, tags: ['sky'] });
		await expect.element(tags).toHaveValue('sky, half-typed');
		await expect.element(note).toHaveValue('a note not saved yet');

		// Saved in another tab: the stored values win.
		await screen.rerender({ ...props, tags: ['sky', 'keeper'], note: 'from the other tab' });
		await expect.element(tags).toHaveValue('sky, keeper');
		await expect.element(note).toHaveValue('from the other tab');
	});
});
