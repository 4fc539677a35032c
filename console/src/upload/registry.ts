// Uploads outlive page changes inside the console (one Upload per image, kept here), and a note of each
// unfinished one outlives a reload (localStorage: image id, file name and size; never a token).
import { Upload } from "./uploader";

export interface PendingNote {
  imageId: string;
  imageName: string;
  fileName: string;
  size: number;
  lastModified: number;
  at: string;
}

const KEY = "glance-console.pending-uploads";
const live = new Map<string, Upload>();
const listeners = new Set<() => void>();

function readNotes(): Record<string, PendingNote> {
  try {
    return (JSON.parse(localStorage.getItem(KEY) ?? "{}") as Record<string, PendingNote>) ?? {};
  } catch {
    return {};
  }
}

function writeNotes(notes: Record<string, PendingNote>): void {
  localStorage.setItem(KEY, JSON.stringify(notes));
  for (const l of listeners) l();
}

export const pendingNotes = (): PendingNote[] => Object.values(readNotes()).sort((a, b) => b.at.localeCompare(a.at));
export const noteFor = (imageId: string): PendingNote | null => readNotes()[imageId] ?? null;

export function forgetNote(imageId: string): void {
  const notes = readNotes();
  if (!(imageId in notes)) return;
  delete notes[imageId];
  writeNotes(notes);
}

export function onUploadsChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export const liveUpload = (imageId: string): Upload | null => live.get(imageId) ?? null;

/** Starts (or resumes, if the server already holds some of it) the upload of `file` into the image. */
export function startUpload(imageId: string, imageName: string, file: File, chunkSize: number): Upload {
  live.get(imageId)?.cancel();
  const up = new Upload(imageId, file, chunkSize);
  live.set(imageId, up);
  const notes = readNotes();
  notes[imageId] = {
    imageId,
    imageName,
    fileName: file.name,
    size: file.size,
    lastModified: file.lastModified,
    at: new Date().toISOString(),
  };
  writeNotes(notes);
  up.subscribe((s) => {
    if (s.phase === "done") forgetNote(imageId);
  });
  void up.start();
  return up;
}

/** The image is gone or no longer takes data: nothing left to resume. */
export function dropUpload(imageId: string): void {
  live.get(imageId)?.cancel();
  live.delete(imageId);
  forgetNote(imageId);
}
