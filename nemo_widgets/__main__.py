from nemo_widgets.cli import main

raise SystemExit(main())
