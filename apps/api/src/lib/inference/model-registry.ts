// The active student and teacher: manifests read at start-up (so the API can
// register the models and serve the student's files even before any
// inference), ONNX sessions loaded on first use. Registration puts each model
// in the `models` table, which also creates its HNSW index.
import path from 'node:path';
import type { Database } from '@person-search/db';
import type { ModelManifest } from '@person-search/model';
import { loadStudent, loadTeacher, readManifest, type Teacher } from '@person-search/model/node';
import type { Student } from '@person-search/model';
import { AppError, unavailable } from '../errors.js';
import type { Logger } from '../logger.js';
import { registerModel } from '../repositories/models-repository.js';

export interface ActiveModel {
  manifest: ModelManifest;
  dir: string;
  /** Embedding dimension stored in the vector columns. */
  dimension: number;
  /** A composite student's crop embedder (manifest `embedder`, a sibling folder), served to edges beside it. */
  embedder: { manifest: ModelManifest; dir: string } | null;
}

export interface ModelRegistryOptions {
  modelsDir: string;
  studentModelId: string;
  teacherModelId: string;
  executionProviders: string[];
  /** The student's HNSW graph options (m, ef_construction), used when its index is created. */
  studentGraph: { m: number; efConstruction: number };
  log: Logger;
}

export class ModelRegistry {
  #student: ActiveModel | null = null;
  #teacher: ActiveModel | null = null;
  #studentSession: Promise<Student> | null = null;
  #teacherSession: Promise<Teacher> | null = null;

  constructor(private readonly options: ModelRegistryOptions) {}

  /** Reads both manifests; a missing model is logged, not fatal (the API still serves everything else). */
  async discover(): Promise<void> {
    const { modelsDir, studentModelId, teacherModelId, log } = this.options;
    this.#student = await this.#read(path.join(modelsDir, studentModelId), 'student');
    this.#teacher = await this.#read(path.join(modelsDir, teacherModelId), 'teacher');
    for (const [role, model] of [['student', this.#student], ['teacher', this.#teacher]] as const) {
      if (!model) log.warn({ modelsDir }, `no ${role} model found; run \`npm run models\` to build the default models`);
    }
    const alignedWith = this.#student?.manifest.alignedWith;
    if (alignedWith && !this.studentAlignedWithTeacher) {
      log.warn({ alignedWith, teacher: this.#teacher?.manifest.id ?? null }, 'the student is aligned with another teacher (or another dimension) than the active one: its vectors are compared only with its own');
    }
  }

  /**
   * The student was distilled into the active teacher's space (manifest `alignedWith` names it, same
   * dimension): a student vector may then be compared with stored teacher vectors.
   */
  get studentAlignedWithTeacher(): boolean {
    const student = this.#student;
    const teacher = this.#teacher;
    return !!student && !!teacher && !student.embedder && student.manifest.alignedWith === teacher.manifest.id && student.dimension === teacher.dimension;
  }

  async #read(dir: string, role: 'student' | 'teacher'): Promise<ActiveModel | null> {
    try {
      const manifest = await readManifest(dir);
      if (manifest.role !== role) throw new Error(`${dir} holds a ${manifest.role}, expected a ${role}`);
      // A composite student (detector + crop embedder) gets its vectors from the embedder.
      const embedderDir = manifest.embedder ? path.join(path.dirname(dir), manifest.embedder) : null;
      const embedder = embedderDir ? { manifest: await readManifest(embedderDir), dir: embedderDir } : null;
      const dimension = (embedder?.manifest ?? manifest).embedding?.dimension;
      if (!dimension) throw new Error(`${dir}: the ${role} declares no embedding (and no embedder)`);
      return { manifest, dir, dimension, embedder };
    } catch (error) {
      this.options.log.warn({ reason: (error as Error).message }, `${role} model unavailable`);
      return null;
    }
  }

  /** Registers the active models in the database (system transaction; builds their HNSW indexes). */
  async register(db: Database): Promise<void> {
    for (const model of [this.#student, this.#teacher]) {
      if (!model) continue;
      const { manifest, dimension } = model;
      const indexName = await db
        .asSystem((tx) => registerModel(tx, { id: manifest.id, version: manifest.version, role: manifest.role, dimension, sha256: manifest.sha256, graph: this.options.studentGraph }))
        .catch((error: unknown) => {
          // E.g. default-teacher became the learned teacher (another dimension) over a database holding colour-teacher vectors under that id.
          if (!/cannot re-register/.test(String((error as Error)?.message))) throw error;
          throw new Error(
            `${(error as Error).message}. The package "${manifest.id}" in ${model.dir} now embeds into another space than the vectors this database stores under that id; ` +
              'start with a fresh database (or DATA_DIR), or select a model id this database has not seen (STUDENT_MODEL_ID / TEACHER_MODEL_ID, e.g. colour-student / colour-teacher)',
            { cause: error },
          );
        });
      this.options.log.info({ model: manifest.id, dimension, indexName }, 'model registered');
    }
  }

  get student(): ActiveModel | null {
    return this.#student;
  }

  get teacher(): ActiveModel | null {
    return this.#teacher;
  }

  requireStudent(): ActiveModel {
    if (!this.#student) throw unavailable('no student model is installed on the server (npm run models)');
    return this.#student;
  }

  requireTeacher(): ActiveModel {
    if (!this.#teacher) throw unavailable('no teacher model is installed on the server (npm run models)');
    return this.#teacher;
  }

  studentSession(): Promise<Student> {
    const model = this.requireStudent();
    this.#studentSession ??= loadStudent(model.dir, { executionProviders: this.options.executionProviders }).catch((error: unknown) => {
      this.#studentSession = null;
      throw cannotLoad('student', model.manifest.id, error);
    });
    return this.#studentSession;
  }

  teacherSession(): Promise<Teacher> {
    const model = this.requireTeacher();
    this.#teacherSession ??= loadTeacher(model.dir, { executionProviders: this.options.executionProviders }).catch((error: unknown) => {
      this.#teacherSession = null;
      throw cannotLoad('teacher', model.manifest.id, error);
    });
    return this.#teacherSession;
  }

  async release(): Promise<void> {
    const sessions = await Promise.allSettled([this.#studentSession, this.#teacherSession]);
    await Promise.all(sessions.map((result) => (result.status === 'fulfilled' && result.value ? result.value.release() : undefined)));
  }
}

/**
 * A model whose manifest is installed but whose session cannot be created (its ONNX file missing or
 * unreadable): the server's fault, not the request's, so UNAVAILABLE (retryable once an operator
 * reinstalls it) with the model's error code; the error itself, with its server paths, is only logged.
 */
function cannotLoad(role: 'student' | 'teacher', id: string, error: unknown): AppError {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'LOAD_FAILED';
  return new AppError('UNAVAILABLE', `the ${role} model "${id}" cannot be loaded on this server (${code}); an operator must reinstall it (npm run models)`, undefined, { cause: error });
}
