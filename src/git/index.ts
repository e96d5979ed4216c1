// Public surface of git/: the work tree, the staged files, the index's content, the hooks directory, the changes since a ref.
export { type GitContext, gitEnv, runGit } from './command.js';
export { type WorkTree, findWorkTree, hooksDir } from './repo.js';
export {
  checkoutIndex,
  indexTree,
  rangeDeletions,
  stagedDeletions,
  stagedPaths,
  syncTreeInto,
  treeFiles,
} from './staged.js';
export { type ChangesSince, changesSince } from './since.js';
