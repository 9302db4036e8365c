"""A Hugging Face folder's own Python code never runs unless the user allowed it (issue 13, item 1).

The attack: a repository ships ``tokenization_qwen.py`` (and ``auto_map`` in its configs naming it) that writes a marker file
when imported; llama.cpp's converter asks transformers for it with ``trust_remote_code=True``. These tests perform it
against each layer: the download group, the detector, the refusal of convert / GPTQ / evaluation jobs and of the CLI, and
the guard the converter runs under (no toolchain needed: a stand-in converter imports the folder's module the way
transformers' dynamic modules do).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.hf_folders import write_llama_folder

from app import cli
from app.hub.files import FileGroup, FileKind, HubFile, group_files
from quantize import convert, evaluate_hf, gptq
from quantize.errors import JobFailed
from quantize.progress import Reporter
from quantize.remote_code import RemoteCodeRefused, check, find_code, is_code_file
from quantize.spec import ConvertSpec, EvaluateSpec, GptqSpec, dumps, loads, to_dict

REPO_ROOT = Path(__file__).resolve().parents[2]


def payload(marker: Path) -> str:
    """What the hostile repository's module does at import: write the marker (a stand-in for anything worse)."""
    return f"from pathlib import Path\nPath({str(marker)!r}).write_text('pwned')\nclass QWenTokenizer: pass\n"


def hostile_folder(root: Path, marker: Path, *, auto_map: bool = True) -> Path:
    """A tiny Qwen-style folder that carries ``tokenization_qwen.py`` (named in tokenizer_config.json's ``auto_map``)."""
    folder = Path(write_llama_folder(root / "Qwen-evil", hidden=64, layers=1, arch="QWenLMHeadModel", model_type="qwen"))
    (folder / "tokenization_qwen.py").write_text(payload(marker))
    if auto_map:
        config = {"auto_map": {"AutoTokenizer": ["tokenization_qwen.QWenTokenizer", None]}}
        (folder / "tokenizer_config.json").write_text(json.dumps(config))
    return folder


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "MARKER-remote-code-ran"


# --- the download group --------------------------------------------------------------------------------------------


def test_the_safetensors_download_group_leaves_code_out_and_names_it() -> None:
    files = [HubFile("config.json", 600), HubFile("tokenizer_config.json", 300), HubFile("tokenization_qwen.py", 9000),
             HubFile("modeling_qwen.py", 40000), HubFile("tokenizer.py", 10), HubFile("qwen.tiktoken", 2_000_000),
             HubFile("model.safetensors", 10_000_000, "ab" * 32)]  # fmt: skip
    (group,) = group_files(files)
    assert group.kind is FileKind.SAFETENSORS
    names = [f.path for f in group.files]
    assert not [n for n in names if n.endswith(".py")], names
    assert {"config.json", "tokenizer_config.json", "qwen.tiktoken", "model.safetensors"} <= set(names)
    assert group.code == ("modeling_qwen.py", "tokenization_qwen.py", "tokenizer.py")


def test_a_group_built_elsewhere_never_carries_code() -> None:
    """A group rebuilt from a cached listing or an old saved download drops code files too."""
    group = FileGroup("model (safetensors)", FileKind.SAFETENSORS, "",
                      (HubFile("config.json", 1), HubFile("custom.PY", 2), HubFile("model.safetensors", 3)))  # fmt: skip
    assert [f.path for f in group.files] == ["config.json", "model.safetensors"]
    assert group.code == ("custom.PY",)
    assert is_code_file("sub/dir/x.pyc") and not is_code_file("model.safetensors")


# --- the detector --------------------------------------------------------------------------------------------------


def test_find_code_names_python_files_anywhere_and_configs_that_import_modules(tmp_path: Path, marker: Path) -> None:
    clean = write_llama_folder(tmp_path / "clean", hidden=64, layers=1)
    assert find_code(clean) == ()
    folder = hostile_folder(tmp_path, marker)
    (folder / "custom" / "deep").mkdir(parents=True)
    (folder / "custom" / "deep" / "helper.py").write_text("")
    config = json.loads((folder / "config.json").read_text())
    config["text_config"] = {"auto_map": {"AutoModelForCausalLM": "other/repo--modeling.Model"}}  # nested, remote
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "processor_config.json").write_text(json.dumps({"custom_pipelines": {"x": {"impl": "p.P"}}}))
    (folder / "preprocessor_config.json").write_text(json.dumps({"auto_map": {}}))  # empty: names nothing
    assert find_code(folder) == ("config.json", "custom/deep/helper.py", "processor_config.json", "tokenization_qwen.py",
                                 "tokenizer_config.json")  # fmt: skip
    assert find_code(tmp_path / "missing") == ()
    assert not marker.exists()  # the detector reads, never imports


def test_check_refuses_with_one_line_that_says_what_to_do(tmp_path: Path, marker: Path) -> None:
    folder = hostile_folder(tmp_path, marker)
    with pytest.raises(RemoteCodeRefused) as info:
        check(folder, allowed=False)
    message = str(info.value)
    assert "\n" not in message
    assert "tokenization_qwen.py" in message and "tokenizer_config.json" in message
    assert "--trust-remote-code" in message
    assert isinstance(info.value, JobFailed) and info.value.files == ("tokenization_qwen.py", "tokenizer_config.json")
    assert check(folder, allowed=True) == ("tokenization_qwen.py", "tokenizer_config.json")


# --- the jobs refuse -----------------------------------------------------------------------------------------------


def test_convert_gptq_and_evaluation_refuse_a_folder_with_code(tmp_path: Path, marker: Path) -> None:
    folder = hostile_folder(tmp_path, marker)
    with (tmp_path / "events.jsonl").open("w", encoding="utf-8") as events:
        reporter = Reporter(events)
        with pytest.raises(RemoteCodeRefused):
            convert.run(ConvertSpec(source=folder, output=tmp_path / "out.gguf"), reporter)
        with pytest.raises(RemoteCodeRefused):
            gptq.run(GptqSpec(source=folder, output=tmp_path / "out-gptq"), reporter)
    with pytest.raises(RemoteCodeRefused):
        evaluate_hf.evaluate_hf(folder)
    clean = write_llama_folder(tmp_path / "clean", hidden=64, layers=1)
    with pytest.raises(RemoteCodeRefused):  # a clean model measured against a reference that carries code
        evaluate_hf.evaluate_hf(clean, reference=folder)
    assert not marker.exists()
    assert not (tmp_path / "out.gguf").exists() and not (tmp_path / "out-gptq").exists()


def test_the_permission_travels_in_the_job_spec() -> None:
    spec = ConvertSpec(source=Path("/m/Qwen"), output=Path("/m/q.gguf"), trust_remote_code=True)
    assert loads(dumps(spec)) == spec
    old = to_dict(ConvertSpec(source=Path("/m/Qwen"), output=Path("/m/q.gguf")))
    del old["trust_remote_code"]  # a job queued before the field existed: code stays off
    assert loads(json.dumps(old)) == ConvertSpec(source=Path("/m/Qwen"), output=Path("/m/q.gguf"))
    assert not GptqSpec(source=Path("a"), output=Path("b")).trust_remote_code
    assert not EvaluateSpec(source=Path("a"), output=Path("b")).trust_remote_code


# --- the converter runs with code off ------------------------------------------------------------------------------

FAKE_CONVERTER = '''
"""Loads the folder's tokenizer module the way transformers does for trust_remote_code=True: copies it into the
dynamic-module cache, then imports it there (or, with --direct, straight from the folder)."""
import importlib.util, os, shutil, sys
from pathlib import Path

folder = Path(sys.argv[1])
source = folder / "tokenization_qwen.py"
if "--direct" in sys.argv:
    target = source
else:
    cache = Path(os.environ["HF_MODULES_CACHE"]) / "transformers_modules" / folder.name
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / "tokenization_qwen.py"
    shutil.copy(source, target)
spec = importlib.util.spec_from_file_location("tokenization_qwen", target)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print("converted")
'''


def run_converter(tmp_path: Path, folder: Path, *, guarded: bool, direct: bool = False) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "convert_hf_to_gguf.py"
    script.write_text(FAKE_CONVERTER)
    part = tmp_path / "out.gguf.part"
    cmd = convert.converter_command(script, folder, part, "f16", trust_remote_code=not guarded)
    cmd += ["--direct"] if direct else []
    env = convert.converter_env(script, {"PATH": "/usr/bin:/bin", "HF_MODULES_CACHE": str(tmp_path / "hf_modules")})
    assert str(REPO_ROOT) in env["PYTHONPATH"].split(":")
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_attack_works_when_code_is_allowed(tmp_path: Path, marker: Path) -> None:
    """The control: the stand-in converter really runs the folder's code when the user allowed it."""
    folder = hostile_folder(tmp_path, marker)
    done = run_converter(tmp_path, folder, guarded=False)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "pwned"


@pytest.mark.parametrize("direct", [False, True], ids=["through-transformers_modules", "from-the-folder"])
def test_the_guarded_converter_never_runs_the_folders_code(tmp_path: Path, marker: Path, direct: bool) -> None:
    """Our refusal bypassed: the converter itself asks for the code, and the guard refuses to compile it."""
    folder = hostile_folder(tmp_path, marker)
    done = run_converter(tmp_path, folder, guarded=True, direct=direct)
    assert done.returncode != 0
    assert "RemoteCodeBlocked" in done.stderr and "--trust-remote-code" in done.stderr
    assert "converted" not in done.stdout
    assert not marker.exists()


def test_the_guard_still_runs_ordinary_code(tmp_path: Path) -> None:
    """The guard blocks the folder's code only: the script itself and the standard library run as usual."""
    script = tmp_path / "ok.py"
    script.write_text("import json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    folder = tmp_path / "model"
    folder.mkdir()
    cmd = [sys.executable, "-m", "quantize.remote_code", "--forbid", str(folder), "--", str(script), "a", "b"]
    done = subprocess.run(cmd, env={"PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["a", "b"]


# --- the CLI -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["convert", "X"], ["gptq", "X"], ["recipe", "X"], ["eval", "X"]])
def test_the_commands_that_load_a_folder_take_trust_remote_code(argv: list[str]) -> None:
    parser, _commands = cli._parser()
    assert parser.parse_args([*argv, "--trust-remote-code"]).trust_remote_code is True
    assert parser.parse_args(argv).trust_remote_code is False


@pytest.mark.parametrize("command", ["convert", "gptq", "recipe", "eval"])
def test_the_cli_refuses_a_folder_with_code_in_one_line(tmp_path: Path, marker: Path, command: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    folder = hostile_folder(tmp_path, marker)
    assert cli.main([command, str(folder)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "tokenization_qwen.py" in err and "--trust-remote-code" in err
    assert not marker.exists()
