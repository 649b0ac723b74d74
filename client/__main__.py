from client.main import run

run()
