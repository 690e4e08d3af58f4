from sup_sla_sync.entrypoints.cli import main

main()
