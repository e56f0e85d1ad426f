// Operations on a whole installation: backup and restore (README "Backup and restore").
export { ArchiveError, ARCHIVE_FORMAT, ARCHIVE_VERSION, readArchive, type Manifest, type ManifestEntry } from './archive';
export { backup, DATA_FILES, type BackupResult, type BackupTarget } from './backup';
export { restore, type RestoreResult } from './restore';
export { BACKUP_HELP, runBackupCli, runRestoreCli } from './cli';
