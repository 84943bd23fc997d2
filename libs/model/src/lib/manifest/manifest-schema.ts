/**
 * The model manifest: everything a runtime needs to run a model package
 * (`model.onnx` + `manifest.json`), validated once with zod. Nothing is
 * guessed from file names. Unknown keys are rejected so a misspelt field
 * (`scoreTreshold`) fails loudly instead of silently using a default.
 */
import { z } from 'zod';
import { ModelError } from '../errors/model-error.js';
import { DECODER_REGISTRY, DECODERS, EMBEDDER_PAIRED_DECODERS } from '../postprocess/decoders/registry.js';

const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);
const tensorName = z.string().min(1);

/**
 * Downscaling with a triangle filter whose support widens with the factor (Pillow's
 * BILINEAR resize, what PyTorch trainers usually feed) instead of 2-tap bilinear.
 * Absent or false: 2-tap bilinear (OpenCV INTER_LINEAR, TF resizeBilinear).
 */
const antialias = z.boolean().optional();

const resizeSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('letterbox'),
    /** 0..255 pixel value the canvas is filled with before normalisation. */
    padValue: z.number().min(0).max(255).default(0),
    anchor: z.enum(['top-left', 'center']).default('top-left'),
    antialias,
  }),
  z.strictObject({
    mode: z.literal('stretch'),
    antialias,
    /**
     * With antialias: a source taller than this many pixels is first resized to this height
     * (aspect kept, rounded to 8 bits), then to the input — the two steps a trainer that
     * caches decoded crops at a bounded height applies (libs/training: 1.25 x input height).
     */
    sourceMaxHeight: z.number().int().positive().max(8192).optional(),
  }),
]);

const inputSchema = z.strictObject({
  name: tensorName,
  layout: z.enum(['NCHW', 'NHWC']),
  height: z.number().int().positive().max(8192),
  width: z.number().int().positive().max(8192),
  resize: resizeSchema,
  colorOrder: z.enum(['RGB', 'BGR']),
  /** value = ((pixel 0..255 * scale) - mean) / std, per channel in colorOrder. */
  scale: z.number().positive(),
  mean: rgbTriple,
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
});

const outputSchema = z.strictObject({
  decoder: z.enum(DECODERS),
  tensors: z.record(z.string(), tensorName),
  personClass: z.number().int().min(0).default(0),
  scoreThreshold: z.number().min(0).max(1),
  iouThreshold: z.number().min(0).max(1),
  maxDetections: z.number().int().positive().max(10_000),
});

const embeddingSchema = z.strictObject({
  tensor: tensorName,
  dimension: z.number().int().positive().max(65_536),
  /** true when the model already L2-normalises; otherwise the runtime does. */
  normalized: z.boolean(),
  /**
   * End-to-end students only: a second graph input of boxes [M, 4] (x1, y1, x2, y2 in model-input
   * pixels) whose embeddings [M, D] the same re-ID branch computes, so a given box (a query crop
   * the detector missed) is embedded directly. detectPeople feeds it an empty [0, 4].
   */
  queryBoxes: z
    .strictObject({
      input: tensorName,
      output: tensorName,
      /**
       * A query box covering (nearly) the whole image — a crop query — is not embedded where it
       * stands (the person would fill the input, a scale a distilled head never saw): the crop is
       * resized (antialiased) to `personHeight` input pixels, pasted on a `padValue` canvas of the
       * input size, and that box is embedded. The head's training scale; absent: embedded in place.
       */
      cropQuery: z.strictObject({ personHeight: z.number().int().positive().max(8192) }).optional(),
    })
    .optional(),
  /**
   * Embedders only: embed each crop and its mirror image, sum, L2-normalise (test-time flip).
   * Twice the inference per crop.
   */
  flipAverage: z.boolean().optional(),
});

const manifestSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    id: z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+'),
    version: z.string().min(1),
    role: z.enum(['student', 'teacher']),
    // A detector family is a registered decoder (postprocess/decoders/registry.ts); an embedder has none.
    family: z.enum([...DECODERS, 'reid-embedder']),
    // A bare file name: a manifest must not point outside its own folder.
    file: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'must be a file name inside the model folder'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
    license: z.string().min(1),
    source: z.string().min(1),
    input: inputSchema,
    output: outputSchema.optional(),
    embedding: embeddingSchema.optional(),
    /**
     * A distilled student's teacher: the id of the teacher package whose
     * embedding space this student's embeddings were trained into (same
     * dimension), so a student vector may be compared with that teacher's
     * stored vectors by cosine. Absent: the student's vectors are comparable
     * only with vectors of its own model.
     */
    alignedWith: z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+').optional(),
    /**
     * Composite student: the id of a reid-embedder package in a sibling folder
     * (`../<id>/`) that embeds this detector's crops.
     */
    embedder: z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+').optional(),
  })
  .superRefine((manifest, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (manifest.alignedWith !== undefined) {
      if (manifest.role !== 'student') issue(['alignedWith'], 'only a student can be aligned with a teacher');
      if (manifest.alignedWith === manifest.id) issue(['alignedWith'], 'names the model itself; it must name the teacher the student was distilled into');
    }
    const paired = EMBEDDER_PAIRED_DECODERS as readonly string[];
    if (manifest.embedder && !paired.includes(manifest.family)) {
      issue(['embedder'], `only a detector family (${paired.join(', ')}) can name an embedder, not "${manifest.family}"`);
    }
    if (manifest.embedding?.flipAverage && manifest.family !== 'reid-embedder') {
      issue(['embedding', 'flipAverage'], `only for family "reid-embedder", not "${manifest.family}"`);
    }
    if (manifest.embedding?.queryBoxes?.cropQuery && manifest.input.resize.mode !== 'letterbox') {
      issue(['embedding', 'queryBoxes', 'cropQuery'], 'needs input.resize.mode "letterbox" (the canvas is the letterboxed input)');
    }
    if (manifest.embedding?.queryBoxes?.cropQuery && manifest.embedding.queryBoxes.cropQuery.personHeight > manifest.input.height) {
      issue(['embedding', 'queryBoxes', 'cropQuery', 'personHeight'], `must be at most input.height (${manifest.input.height})`);
    }
    if (manifest.family === 'reid-embedder') {
      if (!manifest.embedding) issue(['embedding'], 'required for family "reid-embedder"');
      if (manifest.output) issue(['output'], 'not allowed for family "reid-embedder" (an embedder has no detector output)');
      return;
    }
    if (!manifest.output) {
      issue(['output'], `required for detector family "${manifest.family}"`);
      return;
    }
    if (manifest.output.decoder !== manifest.family) {
      issue(['output', 'decoder'], `must equal family "${manifest.family}"`);
    }
    const decoder = DECODER_REGISTRY[manifest.output.decoder];
    for (const role of decoder.tensors) {
      if (!manifest.output.tensors[role]) {
        issue(['output', 'tensors', role], `required by decoder "${manifest.output.decoder}"`);
      }
    }
    if (decoder.embeddings === 'per-box' && !manifest.embedding) {
      issue(['embedding'], `required for family "${manifest.family}" (it outputs embeddings per box)`);
    }
    if (manifest.embedding?.queryBoxes && decoder.embeddings !== 'per-box') {
      issue(['embedding', 'queryBoxes'], `only for a family with per-box embeddings, not "${manifest.family}"`);
    }
    if (decoder.embeddings === 'embedder' && manifest.embedding) {
      issue(['embedding'], `not supported for family "${manifest.family}": pair it with a reid-embedder instead`);
    }
    const declaredEmbeddings = manifest.output.tensors['embeddings'];
    if (manifest.embedding && declaredEmbeddings && declaredEmbeddings !== manifest.embedding.tensor) {
      issue(['output', 'tensors', 'embeddings'], `must equal embedding.tensor "${manifest.embedding.tensor}"`);
    }
  });

export type ModelManifest = z.output<typeof manifestSchema>;
export type ManifestInput = ModelManifest['input'];
export type ManifestOutput = NonNullable<ModelManifest['output']>;
export type ManifestEmbedding = NonNullable<ModelManifest['embedding']>;
export type ResizeSpec = ManifestInput['resize'];

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/**
 * Validates parsed JSON (or a JSON string) as a manifest.
 * Throws ModelError INVALID_MANIFEST listing every bad field by its dotted path.
 */
export function parseManifest(json: unknown): ModelManifest {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new ModelError('INVALID_MANIFEST', `manifest is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const result = manifestSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${fieldName(issue.path)}: ${issue.message}`);
  throw new ModelError('INVALID_MANIFEST', `invalid manifest: ${problems.join('; ')}`);
}
