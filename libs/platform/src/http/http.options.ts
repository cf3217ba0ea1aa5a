/** Largest request body any service accepts; larger gets 413. */
export const MAX_BODY_BYTES = 256 * 1024;
