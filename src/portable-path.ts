// How a key that may be shared names a path runner does not track: below the
// source tree as `<source-tree>/x`, below HOME as `~/x`, anywhere else as it
// is (the same on machines set up alike). The name only says where; what the
// file holds enters a key by its content. Pure: touches no file.
import path from 'node:path';
import { relativePath, isOutside } from './tree-path.js';

/** Stands for the source tree's absolute path in a key, so a result holds in another checkout. */
export const SOURCE_TREE_TOKEN = '<source-tree>';

/** The roots a key's paths are named from: the source tree, and the HOME the tools see. */
export interface PathRoots {
  sourceTree: string;
  home: string | undefined;
}

/** HOME as a root: an absolute path other than '/' (a HOME of '/' or '' would rename every path). */
function homeRoot(home: string | undefined): string | null {
  if (home === undefined || !path.isAbsolute(home)) return null;
  const h = path.resolve(home);
  return h === '/' ? null : h;
}

function below(root: string, abs: string): string | null {
  const rel = relativePath(root, abs);
  return isOutside(rel) ? null : rel;
}

/** An absolute path as a shared key names it; a relative one (a tracked file) is returned as it is. */
export function portablePath(p: string, roots: PathRoots): string {
  if (!path.isAbsolute(p)) return p;
  const inTree = below(roots.sourceTree, p);
  if (inTree !== null) return inTree === '' ? SOURCE_TREE_TOKEN : `${SOURCE_TREE_TOKEN}/${inTree}`;
  const home = homeRoot(roots.home);
  const inHome = home === null ? null : below(home, p);
  if (inHome !== null) return inHome === '' ? '~' : `~/${inHome}`;
  return p;
}

/**
 * portablePath for many paths under the same roots, as a graph's hashes ask it (once per dependency
 * per component): normalized paths, as resolvers give them, are named by prefix, others as portablePath does.
 */
export function portableNamer(roots: PathRoots): (p: string) => string {
  const tree = path.resolve(roots.sourceTree);
  const home = homeRoot(roots.home);
  return (p) => {
    if (p.charCodeAt(0) !== 47 /* '/' */) return p; // a tracked file's relative path
    if (p.includes('/.') || p.includes('//') || p.endsWith('/')) return portablePath(p, roots); // not normalized
    if (p === tree) return SOURCE_TREE_TOKEN;
    if (p.startsWith(tree) && p.charCodeAt(tree.length) === 47)
      return tree === '/' ? `${SOURCE_TREE_TOKEN}${p}` : SOURCE_TREE_TOKEN + p.slice(tree.length);
    if (home !== null) {
      if (p === home) return '~';
      if (p.startsWith(home) && p.charCodeAt(home.length) === 47) return '~' + p.slice(home.length);
    }
    return p;
  };
}

/** Where a name portablePath gave points on this machine (its inverse); a name without a root is returned as it is. */
export function resolvePortable(name: string, roots: PathRoots): string {
  if (name === SOURCE_TREE_TOKEN || name.startsWith(SOURCE_TREE_TOKEN + '/'))
    return path.join(roots.sourceTree, name.slice(SOURCE_TREE_TOKEN.length));
  const home = homeRoot(roots.home);
  if (home !== null && (name === '~' || name.startsWith('~/'))) return path.join(home, name.slice(1));
  return name;
}

/** Whether a path names something of this checkout or user alone: an absolute path below the source tree or HOME. */
export function isLocalPath(p: string, roots: PathRoots): boolean {
  return path.isAbsolute(p) && portablePath(p, roots) !== p;
}
