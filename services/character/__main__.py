from services.character.bootstrap import run

run()
