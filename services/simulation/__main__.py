from services.simulation.bootstrap import run

run()
