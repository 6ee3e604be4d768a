from services.story.bootstrap import run

run()
