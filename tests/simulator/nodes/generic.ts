// Nodes the simulator does not model still run: each output passes through the first input of the same
// type, or gets a neutral placeholder, so arbitrary workflows from the 572 real node classes execute in demo
// mode. Also `format_value`, the Python `str()` ComfyUI puts into `execution_error.current_inputs`.
import { createImage, fillImage, isImage, type ImageTensor } from '../image';
import type { NodeDef } from '../object-info';
import { pyRepr } from '../py-format';
import { tensorRepr } from '../tensor-repr';
import type { NodeImpl } from './types';

/** A simulated non-image value (MODEL, CLIP, LATENT, …), tagged with its ComfyUI type. */
export interface SimValue {
	kind: string;
	[key: string]: unknown;
}

export function isSimValue(value: unknown, kind?: string): value is SimValue {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { kind?: unknown }).kind === 'string' &&
		(kind === undefined || (value as { kind: string }).kind === kind)
	);
}

function placeholder(type: string): unknown {
	switch (type) {
		case 'IMAGE':
			return fillImage(createImage(1, 512, 512), () => [0.5, 0.5, 0.5]);
		case 'MASK':
			return { kind: 'MASK', batch: 1, height: 512, width: 512, data: new Float32Array(512 * 512) };
		case 'LATENT':
			return { kind: 'LATENT', batch: 1, width: 512, height: 512, image: null };
		case 'INT':
			return 0;
		case 'FLOAT':
			return 0;
		case 'STRING':
			return '';
		case 'BOOLEAN':
			return false;
		default:
			return { kind: type };
	}
}

function typeOf(value: unknown): string | null {
	if (isImage(value)) return 'IMAGE';
	if (isSimValue(value)) return value.kind;
	if (typeof value === 'number') return Number.isInteger(value) ? 'INT' : 'FLOAT';
	if (typeof value === 'string') return 'STRING';
	if (typeof value === 'boolean') return 'BOOLEAN';
	return null;
}

/** Pass-through implementation for a node class without a simulation. */
export function genericNode(def: NodeDef | undefined): NodeImpl {
	return {
		run(inputs) {
			const outputs = (def?.output ?? []).map((type) => {
				const name = Array.isArray(type) ? 'COMBO' : type;
				const match = Object.values(inputs).find((value) => typeOf(value) === name);
				return match ?? placeholder(name);
			});
			return { outputs };
		}
	};
}

let address = 0x7f3a2c1d0e50;

function objectRepr(kind: string): string {
	const classes: Record<string, string> = {
		MODEL: 'comfy.model_patcher.ModelPatcher',
		CLIP: 'comfy.sd.CLIP',
		VAE: 'comfy.sd.VAE',
		UPSCALE_MODEL: 'spandrel.ImageModelDescriptor',
		CONTROL_NET: 'comfy.controlnet.ControlNet'
	};
	address += 0x1a40;
	return `<${classes[kind] ?? `comfy.${kind.toLowerCase()}`} object at 0x${address.toString(16)}>`;
}

/** `format_value(x)`: primitives as they are, everything else as Python's `str(x)`. */
export function formatValue(value: unknown): unknown {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
	if (isImage(value)) {
		const image = value as ImageTensor;
		return tensorRepr([image.batch, image.height, image.width, 3], image.data);
	}
	if (isSimValue(value, 'MASK')) {
		const mask = value as unknown as { batch: number; height: number; width: number; data: Float32Array };
		return tensorRepr([mask.batch, mask.height, mask.width], mask.data);
	}
	if (isSimValue(value, 'LATENT')) {
		const width = Math.max(1, Math.round(Number(value['width'] ?? 512) / 8));
		const height = Math.max(1, Math.round(Number(value['height'] ?? 512) / 8));
		const batch = Number(value['batch'] ?? 1);
		const zeros = new Float32Array(batch * 4 * height * width);
		return `{'samples': ${tensorRepr([batch, 4, height, width], zeros)}}`;
	}
	if (isSimValue(value, 'CONDITIONING')) {
		const zeros = new Float32Array(77 * 768);
		return `[[${tensorRepr([1, 77, 768], zeros)}, {'pooled_output': None}]]`;
	}
	if (isSimValue(value)) return objectRepr(value.kind);
	return pyRepr(value);
}
