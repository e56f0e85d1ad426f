// The CLI's help for backup and restore, apart from the code: `sealflow --help` loads no database driver.
export const BACKUP_HELP = `  backup <file.zip>
      the database (contracts, signed documents, keys wrapped by the master key) and the data
      folder's master key and admin token, in one archive with a checksummed manifest.
      The hub may keep running. Keep the archive as safe as the master key: it holds it.

  restore [--force] <file.zip>
      checks the whole archive, then puts it back into an empty database and data folder
      (--force replaces what is there; old files are kept beside as *.before-restore-*).
      Stop the hub first. Exit code 0 when restored, 1 when refused or failed, 2 on a usage error.`;
