import { describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { ParameterDef } from '$lib/comfy/workflow';
import ParamField from './ParamField.svelte';

const base = { group: 'G', targets: [{ nodeId: '1', input: 'x' }], required: true, hidden: false };

describe('ParamField', () => {
	it('keeps a half-typed number as text and passes a number once it reads as one', async () => {
		const onchange = vi.fn();
		const p: ParameterDef = {
			...base,
			id: 'cfg',
			label: 'CFG',
			kind: 'FLOAT',
			default: 7,
			min: 0,
			max: 30,
			step: 0.5
		};
		render(ParamField, { parameter: p, value: 7, onchange });
		const box = page.getByRole('textbox', { name: 'CFG' });
		await box.fill('7.5x');
		expect(onchange).toHaveBeenLastCalledWith('7.5x');
		await expect.element(box).toHaveValue('7.5x');
		await box.fill('8.5');
		expect(onchange).toHaveBeenLastCalledWith(8.5);
		await expect.element(page.getByRole('slider', { name: 'CFG slider' })).toBeVisible();
	});

	it('shows the error under the field, as text, and marks the field invalid', async () => {
		const p: ParameterDef = {
			...base,
			id: 'steps',
			label: 'Steps',
			kind: 'INT',
			default: 20,
			min: 1,
			max: 100
		};
		render(ParamField, {
			parameter: p,
			value: 500,
			error: 'Must be at most 100. <b>not bold</b>',
			onchange: () => {}
		});
		await expect.element(page.getByText('Must be at most 100. <b>not bold</b>')).toBeVisible();
		await expect
			.element(page.getByRole('textbox', { name: 'Steps' }))
			.toHaveAttribute('aria-invalid', 'true');
	});

	it('offers the seed modes and a new random seed', async () => {
		const onchange = vi.fn();
		const onseedmode = vi.fn();
		const p: ParameterDef = {
			...base,
			id: 'seed',
			label: 'Seed',
			kind: 'INT',
			default: 1,
			min: 0,
			max: 1000,
			seedMode: 'fixed'
		};
		render(ParamField, { parameter: p, value: 1, seedMode: 'fixed', onchange, onseedmode });
		await page.getByRole('combobox', { name: 'Seed after each run' }).selectOptions('increment');
		expect(onseedmode).toHaveBeenCalledWith('increment');
		await page.getByRole('button', { name: /Randomize/ }).click();
		const seed = onchange.mock.lastCall?.[0] as number;
		expect(Number.isInteger(seed) && seed >= 0 && seed <= 1000).toBe(true);
	});

	it('keeps a choice the server does not have, marked, and returns options with their type', async () => {
		const onchange = vi.fn();
		const p: ParameterDef = {
			...base,
			id: 'ckpt',
			label: 'Checkpoint',
			kind: 'COMBO',
			default: 'gone.safetensors',
			options: ['a.safetensors', 'b.safetensors'],
			modelList: true
		};
		render(ParamField, { parameter: p, value: 'gone.safetensors', onchange });
		const select = page.getByRole('combobox', { name: 'Checkpoint' });
		await expect
			.element(page.getByRole('option', { name: 'gone.safetensors (not on this server)' }))
			.toBeInTheDocument();
		await select.selectOptions('b.safetensors');
		expect(onchange).toHaveBeenCalledWith('b.safetensors');
	});

	it('edits text, multiline or not, and booleans', async () => {
		const onchange = vi.fn();
		render(ParamField, {
			parameter: { ...base, id: 'prompt', label: 'Prompt', kind: 'STRING', default: '', multiline: true },
			value: 'a cat',
			onchange
		});
		await page.getByRole('textbox', { name: 'Prompt' }).fill('a dog');
		expect(onchange).toHaveBeenLastCalledWith('a dog');

		render(ParamField, {
			parameter: { ...base, id: 'tile', label: 'Tiling', kind: 'BOOLEAN', default: false },
			value: false,
			onchange
		});
		await page.getByRole('checkbox', { name: 'Tiling' }).click();
		expect(onchange).toHaveBeenLastCalledWith(true);
	});

	it('uploads a picked image for an image field and shows the status as text', async () => {
		const onupload = vi.fn();
		render(ParamField, {
			parameter: {
				...base,
				id: 'image',
				label: 'Image',
				kind: 'IMAGE',
				default: 'example.png',
				options: ['example.png']
			},
			value: 'example.png',
			previewUrl: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=',
			upload: { busy: false, message: '"x.txt" is not an image ComfyUI can load', error: true },
			onchange: () => {},
			onupload
		});
		await expect.element(page.getByRole('img', { name: 'Preview of example.png' })).toBeInTheDocument();
		await expect
			.element(page.getByRole('alert'))
			.toHaveTextContent('"x.txt" is not an image ComfyUI can load');
		const input = page.getByLabelText(/Upload image/);
		await input.upload(new File([new Uint8Array([137, 80, 78, 71])], 'cat.png', { type: 'image/png' }));
		expect(onupload).toHaveBeenCalledTimes(1);
		expect((onupload.mock.lastCall?.[0] as File).name).toBe('cat.png');
	});

	it('steps a number by its step within its bounds, with buttons that stop at the ends', async () => {
		const onchange = vi.fn();
		const p: ParameterDef = {
			...base,
			id: 'width',
			label: 'Width',
			kind: 'INT',
			default: 512,
			min: 16,
			max: 520,
			step: 8
		};
		const field = render(ParamField, { parameter: p, value: 512, onchange });
		await page.getByRole('button', { name: 'Increase Width' }).click();
		expect(onchange).toHaveBeenLastCalledWith(520);
		await page.getByRole('button', { name: 'Decrease Width' }).click();
		expect(onchange).toHaveBeenLastCalledWith(504);
		await field.rerender({ parameter: p, value: 520, onchange });
		await expect.element(page.getByRole('button', { name: 'Increase Width' })).toBeDisabled();
	});

	it("gives ComfyUI's 0xRRGGBB colour integers a colour picker beside the number", async () => {
		const onchange = vi.fn();
		const p: ParameterDef = {
			...base,
			targets: [{ nodeId: '1', input: 'color' }],
			id: 'color',
			label: 'Color',
			kind: 'INT',
			default: 0,
			min: 0,
			max: 0xffffff,
			step: 1
		};
		render(ParamField, { parameter: p, value: 16744448, onchange });
		const picker = page.getByLabelText('Color picker');
		await expect.element(picker).toHaveValue('#ff8000');
		await expect.element(page.getByRole('textbox', { name: 'Color', exact: true })).toHaveValue('16744448');
		(picker.element() as HTMLInputElement).value = '#3366cc';
		picker.element().dispatchEvent(new Event('input', { bubbles: true }));
		expect(onchange).toHaveBeenLastCalledWith(0x3366cc);
	});
});
