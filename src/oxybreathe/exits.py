"""The exit statuses of the `oxybreathe` command, shared by the CLI and plain mode."""

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl+C; other signals give 128 + n
