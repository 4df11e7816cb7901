from benefice.cli import main

main()
