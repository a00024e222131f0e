from devtools.cluster.parts import main

main()
