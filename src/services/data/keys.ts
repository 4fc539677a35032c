// Where an image's bytes live in the blob store: the one place that knows the key layout.

/** One object per image; image ids are never reused, so neither are keys. */
export const dataKey = (imageId: string) => `images/${imageId}`;
