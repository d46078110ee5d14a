import { encodeFormState, uploadedImageValue, type Template } from '$lib/comfy/workflow';
import type { ComfyApi } from '$lib/comfy';

/** Templates that take an input image (a LoadImage parameter), for "Use as input". */
export function templatesWithImageInput(
	templates: Template[]
): { template: Template; parameterId: string }[] {
	return templates.flatMap((template) => {
		const parameter = template.parameters.find((p) => p.kind === 'IMAGE' && !p.hidden);
		return parameter ? [{ template, parameterId: parameter.id }] : [];
	});
}

/**
 * Sends a result image to another template as its input: uploads the original bytes to the server's input
 * folder (ComfyUI keeps identical content once) and returns the form's URL fragment with that image selected.
 */
export async function useImageAsInput(options: {
	api: Pick<ComfyApi, 'uploadImage'>;
	blob: Blob;
	filename: string;
	template: Template;
	parameterId: string;
}): Promise<string> {
	const uploaded = await options.api.uploadImage({
		file: options.blob,
		filename: options.filename,
		type: 'input',
		overwrite: false
	});
	const value = uploadedImageValue({ name: uploaded.name, subfolder: uploaded.subfolder });
	return encodeFormState({
		templateId: options.template.id,
		parameters: options.template.parameters,
		values: { [options.parameterId]: value },
		onlyChanged: true
	});
}
