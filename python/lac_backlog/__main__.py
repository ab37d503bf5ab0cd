from lac_backlog.cli import main

raise SystemExit(main())
