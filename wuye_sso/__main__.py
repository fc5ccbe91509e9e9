from wuye_sso.cli import main

raise SystemExit(main())
