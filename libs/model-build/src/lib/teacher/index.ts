/** The default teacher: a code-generated re-ID embedder (see teacher-design.ts for why colour). */
export { buildDefaultTeacher, COLOUR_TEACHER_ID, DEFAULT_TEACHER_ID, DEFAULT_TEACHER_VERSION, type BuiltModel } from './build-default-teacher.js';
export { TEACHER_DESIGN, teacherDimension, type TeacherDesign } from './teacher-design.js';
