from sup_sla_sync.cli import main

main()
