// Parameters of a saved template brought up to date with a server's current lists (models, images, samplers).
import { getInputSpecs, getNodeDef, type ObjectInfo } from './object-info';
import { isFileParameter, type ParameterDef } from './parameter-def';
import type { ApiWorkflow } from './types';

/**
 * Parameters with COMBO/IMAGE/VIDEO/AUDIO options (model lists, input images, samplers…) re-read from a fresh
 * `/object_info`, so lists show the server's current files. Parameters whose target is gone keep their options.
 */
export function refreshOptions({
	parameters,
	api,
	objectInfo
}: {
	parameters: ParameterDef[];
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
}): ParameterDef[] {
	return parameters.map((parameter) => {
		if (parameter.kind !== 'COMBO' && !isFileParameter(parameter)) return parameter;
		const target = parameter.targets[0];
		const node = target && Object.hasOwn(api, target.nodeId) ? api[target.nodeId] : undefined;
		const nodeDef = node ? getNodeDef({ objectInfo, classType: node.class_type }) : undefined;
		const spec = nodeDef
			? getInputSpecs({ nodeDef }).find((input) => input.name === target?.input)
			: undefined;
		return spec?.options ? { ...parameter, options: spec.options } : parameter;
	});
}
