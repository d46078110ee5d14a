import { describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { createTemplate } from '$lib/comfy/workflow';
import ImportReview from './ImportReview.svelte';

const api = {
	'1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0 } },
	'2': { class_type: 'FancyUpscaler', inputs: { image: ['1', 0] } }
};

describe('ImportReview', () => {
	it('shows a refused file’s message as text and only offers to dismiss', async () => {
		const oncancel = vi.fn();
		const { container } = render(ImportReview, {
			review: {
				kind: 'error',
				fileName: '<img src=x onerror=alert(1)>.json',
				message: 'This JSON is a list, not a ComfyUI workflow. <script>alert(1)</script>',
				details: ['line 1, column 2']
			},
			onsave: vi.fn(),
			onsavetemplates: vi.fn(),
			oncancel
		});
		await expect.element(page.getByRole('alert')).toHaveTextContent('<script>alert(1)</script>');
		await expect.element(page.getByText('From: <img src=x onerror=alert(1)>.json')).toBeVisible();
		await expect.element(page.getByText('Nothing was saved.')).toBeVisible();
		expect(container.querySelector('script, img')).toBeNull();
		await expect.element(page.getByRole('button', { name: 'Save template' })).not.toBeInTheDocument();
		await page.getByRole('button', { name: 'Dismiss' }).click();
		expect(oncancel).toHaveBeenCalled();
	});

	it('lists the server problems and fields, and saves under the edited name', async () => {
		const onsave = vi.fn();
		const template = createTemplate({
			name: 'flow',
			api,
			parameters: [
				{
					id: 'width',
					label: 'Width',
					kind: 'INT',
					group: 'Size',
					targets: [{ nodeId: '1', input: 'width' }],
					default: 64,
					required: true,
					hidden: false
				}
			]
		});
		render(ImportReview, {
			review: {
				kind: 'workflow',
				fileName: 'flow.png',
				template,
				result: {
					ok: true,
					kind: 'png',
					api,
					suggestedName: 'flow',
					warnings: [],
					controls: [],
					issues: [
						{
							severity: 'error',
							code: 'unknown-class',
							message:
								'This server has no node type "FancyUpscaler" (used by node 2). Install the custom node pack that provides it.'
						}
					]
				}
			},
			onsave,
			onsavetemplates: vi.fn(),
			oncancel: vi.fn()
		});
		await expect
			.element(page.getByText(/no node type "FancyUpscaler".*Install the custom node pack/))
			.toBeVisible();
		await expect.element(page.getByText('PNG image saved by ComfyUI', { exact: false })).toBeVisible();
		await expect.element(page.getByText('Width', { exact: true })).toBeVisible();
		await page.getByRole('textbox', { name: 'Template name' }).fill('My portrait');
		await page.getByRole('button', { name: 'Save template' }).click();
		expect(onsave).toHaveBeenCalledWith(expect.objectContaining({ name: 'My portrait', id: 'flow' }));
	});
});
