/** The template core: import, convert, check, parameters, validation, URLs. See README.md. */
export * from './apply-parameters';
export * from './check-workflow';
export * from './image-metadata';
export * from './image-upload-check';
export * from './media-upload-check';
export * from './import-file';
export * from './object-info';
export * from './parameter-def';
export * from './parameters';
export * from './safe-json';
export * from './template';
export * from './types';
export * from './ui-to-api';
export * from './url-state';
export * from './validate-values';
