// Simulated node classes by class_type. Classes listed in /object_info but not here still run, through the
// generic pass-through in the executor.
import { imageNodes } from './image-nodes';
import { mediaNodes } from './media-nodes';
import { modelNodes } from './model-nodes';
import { testNodes } from './test-nodes';
import type { NodeImpl } from './types';

const REGISTRY: Record<string, NodeImpl> = { ...imageNodes, ...mediaNodes, ...testNodes, ...modelNodes };

/** The simulated implementation of a node class, if any. */
export function nodeImpl(classType: string): NodeImpl | undefined {
	return Object.hasOwn(REGISTRY, classType) ? REGISTRY[classType] : undefined;
}
