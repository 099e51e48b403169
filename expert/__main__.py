from expert.cli import main

raise SystemExit(main())
