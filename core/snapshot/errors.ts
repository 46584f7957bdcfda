/** Error codes of snapshot backup, named after br's (`BR:Backup:...`). */
export const BackupErrorCode = {
  /** The backup ts is older than the GC safepoint: the history it needs may be gone. */
  GcSafepointExceeded: 'BR:Backup:ErrBackupGCSafepointExceeded',
  /** Another snapshot backup of the same cluster is running. */
  InProgress: 'BR:Backup:ErrBackupInProgress',
  /** A folder with backup.lock but no backupmeta: a backup that failed or still runs. */
  Incomplete: 'BR:Backup:ErrBackupIncomplete',
  /** The storage already holds files: a backup goes into an empty folder. */
  StorageNotEmpty: 'BR:Backup:ErrBackupStorageNotEmpty',
  /** Some key ranges could not be backed up within the retry budget. */
  RangesLeft: 'BR:Backup:ErrBackupRangesLeft',
  /** The backup was stopped before it finished (the host shut down). */
  Cancelled: 'BR:Backup:ErrBackupCancelled',
} as const;
